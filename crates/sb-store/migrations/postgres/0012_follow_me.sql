-- Follow-me to the agent's own mobile (MISSION G8): calls to the person's
-- extension, and queue offers to them as an agent, ring staff.mobile too:
-- 'always' together with the desk phone, 'no_answer' after
-- follow_me_delay_s seconds (at once when no desk phone is registered).
ALTER TABLE staff ADD COLUMN follow_me_mode TEXT NOT NULL DEFAULT 'off'
    CHECK (follow_me_mode IN ('off', 'no_answer', 'always'));
ALTER TABLE staff ADD COLUMN follow_me_delay_s INTEGER NOT NULL DEFAULT 15
    CHECK (follow_me_delay_s BETWEEN 0 AND 120);
