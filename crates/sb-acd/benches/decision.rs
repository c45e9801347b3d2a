//! What one ACD decision costs at the MISSION's scale: 10,000 agents in
//! 1-5 of 1,000 queues each (skills 1-10, a mix of every strategy), most
//! of them on a call, 500 NotReady, 5,000 calls waiting. Each measured
//! operation is one `handle` call with the dispatch it triggers:
//!
//! - `agent_ready`: an agent in wrap-up becomes Ready and is offered the
//!   best waiting call of its queues;
//! - `enqueue`: a call arrives (it waits: nobody is Ready);
//! - `no_answer`: a ringing agent refuses; the call goes back, the agent is
//!   offered again;
//! - `login`: an agent logs in and is offered a call.
//!
//! Around each one, unmeasured steps keep the population steady (answer the
//! offers, end calls, put the agent back into the pool, replace the call).
//! The first pass times 10,000 single operations of each kind with
//! `Instant` and prints p50 / p99 / max (the figures docs/PERFORMANCE.md
//! quotes); criterion then reports mean and confidence interval.
//!
//! `cargo bench -p sb-acd --bench decision`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use sb_acd::{
    Acd, AcdConfig, AgentId, AgentState, CallRef, Command, Decision, QueueConfig, QueueId, Strategy,
};

const AGENTS: usize = 10_000;
const QUEUES: usize = 1_000;
const WAITING: usize = 5_000;
const NOT_READY: usize = 500;
const SAMPLES: usize = 10_000;

/// splitmix64: the bench's own deterministic randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

fn queue_id(index: usize) -> QueueId {
    QueueId::new(format!("q{index:04}"))
}

fn queue_config(index: usize) -> QueueConfig {
    let strategy = match index % 10 {
        0 => Strategy::RoundRobin,
        1 => Strategy::FewestCalls,
        2 => Strategy::HighestSkill,
        3 => Strategy::Random,
        4 => Strategy::RingAll,
        _ => Strategy::LongestIdle,
    };
    QueueConfig {
        strategy,
        // Wrap-up long enough that agents leave it only when told to.
        wrap_up_ms: 3_600_000,
        max_no_answers_before_not_ready: 0,
        aging_per_second: (index % 3) as i64,
        ..QueueConfig::default()
    }
}

struct Population {
    acd: Acd,
    rng: Rng,
    now_ms: u64,
    next_call: u64,
    skills: Vec<Vec<(QueueId, u8)>>,
    /// Agents that were put on a call (some may have moved on since).
    on_call: Vec<usize>,
    not_ready: Vec<usize>,
    /// Offers made by the measured operations.
    offers_made: usize,
    offers_seen: usize,
}

fn agent_id(index: usize) -> AgentId {
    AgentId::new(format!("a{index:05}"))
}

impl Population {
    fn build() -> Self {
        let config = (0..QUEUES).fold(AcdConfig::default(), |config, index| {
            config.with_queue(queue_id(index), queue_config(index))
        });
        let mut population = Population {
            acd: Acd::new(config),
            rng: Rng(7),
            now_ms: 1,
            next_call: 1,
            skills: Vec::new(),
            on_call: Vec::new(),
            not_ready: Vec::new(),
            offers_made: 0,
            offers_seen: 0,
        };
        for index in 0..AGENTS {
            // Every queue gets members through the first skill.
            let mut queues = vec![index % QUEUES];
            for _ in 0..population.rng.below(5) {
                let extra = population.rng.below(QUEUES);
                if !queues.contains(&extra) {
                    queues.push(extra);
                }
            }
            let skills: Vec<(QueueId, u8)> = queues
                .into_iter()
                .map(|queue| (queue_id(queue), 1 + population.rng.below(10) as u8))
                .collect();
            population.skills.push(skills.clone());
            population.run(Command::Login {
                agent: agent_id(index),
                queues: skills,
            });
            if index % (AGENTS / NOT_READY) == 0 {
                population.set_not_ready(index);
            }
        }
        // Everyone else on a call.
        for index in 0..AGENTS {
            while population.acd.agent_state(&agent_id(index)) == Some(&AgentState::Ready) {
                let queue = population.skills[index][0].0.clone();
                population.enqueue(queue);
            }
        }
        for _ in 0..WAITING {
            population.enqueue_anywhere();
        }
        population
    }

    fn run(&mut self, command: Command) {
        self.now_ms += 1;
        if let Err(error) = self.acd.handle(self.now_ms, command) {
            panic!("bench command refused: {error}");
        }
        self.settle();
    }

    /// Answers every offer (the first agent of a RingAll wins) and drops
    /// the log, as the switch would after storing it.
    fn settle(&mut self) {
        loop {
            let decisions: Vec<Decision> = std::iter::from_fn(|| self.acd.poll_output()).collect();
            self.offers_seen += decisions
                .iter()
                .filter(|d| matches!(d, Decision::Offer { .. }))
                .count();
            let mut answered = Vec::new();
            for decision in decisions {
                if let Decision::Offer { call, agent, .. } = decision
                    && !answered.contains(&call)
                {
                    answered.push(call);
                    self.now_ms += 1;
                    let command = Command::Answered {
                        call,
                        agent: agent.clone(),
                    };
                    if self.acd.handle(self.now_ms, command).is_ok() {
                        self.on_call.push(agent_index(&agent));
                    }
                }
            }
            if answered.is_empty() {
                break;
            }
        }
        self.acd.take_events();
    }

    fn new_call(&mut self) -> CallRef {
        self.next_call += 1;
        CallRef(self.next_call)
    }

    fn enqueue_command(&mut self, call: CallRef, queue: QueueId) -> Command {
        Command::Enqueue {
            call,
            queue,
            priority: self.rng.below(3) as i32,
            preferred_agent: None,
        }
    }

    fn enqueue(&mut self, queue: QueueId) {
        let call = self.new_call();
        let command = self.enqueue_command(call, queue);
        self.run(command);
    }

    fn enqueue_anywhere(&mut self) {
        let queue = queue_id(self.rng.below(QUEUES));
        self.enqueue(queue);
    }

    fn set_not_ready(&mut self, index: usize) {
        self.run(Command::SetNotReady {
            agent: agent_id(index),
            reason: "break".to_owned(),
        });
        self.not_ready.push(index);
    }

    /// Ends the call of a random agent on a call: the agent goes to wrap-up.
    fn end_a_call(&mut self) -> usize {
        loop {
            let pick = self.rng.below(self.on_call.len());
            let index = self.on_call.swap_remove(pick);
            if let Some(AgentState::OnCall { call }) = self.acd.agent_state(&agent_id(index)) {
                let call = *call;
                self.run(Command::CallEnded { call });
                return index;
            }
        }
    }

    /// Times one command (the dispatch included), then settles unmeasured.
    fn timed(&mut self, command: Command) -> Duration {
        self.now_ms += 1;
        let started = Instant::now();
        let result = self.acd.handle(self.now_ms, command);
        let elapsed = started.elapsed();
        if let Err(error) = black_box(result) {
            panic!("bench command refused: {error}");
        }
        let seen_before = self.offers_seen;
        self.settle();
        // Only the first round of `settle` saw this operation's own offers,
        // but RingAll answers cancel and re-offer; close enough to tell
        // "made an offer" from "did nothing".
        self.offers_made += usize::from(self.offers_seen > seen_before);
        elapsed
    }

    fn agent_ready(&mut self) -> Duration {
        let index = self.end_a_call();
        let elapsed = self.timed(Command::SetReady {
            agent: agent_id(index),
        });
        self.enqueue_anywhere();
        elapsed
    }

    fn enqueue_op(&mut self) -> Duration {
        let call = self.new_call();
        let queue = queue_id(self.rng.below(QUEUES));
        let command = self.enqueue_command(call, queue);
        let elapsed = self.timed(command);
        if self.acd.position(call).is_some() {
            self.run(Command::Abandon { call });
        }
        elapsed
    }

    fn no_answer(&mut self) -> Duration {
        // An agent made Ready and offered a call (retry if its queues are empty).
        let (call, agent) = loop {
            let index = self.end_a_call();
            self.now_ms += 1;
            let ready = Command::SetReady {
                agent: agent_id(index),
            };
            if let Err(error) = self.acd.handle(self.now_ms, ready) {
                panic!("bench command refused: {error}");
            }
            let offered = std::iter::from_fn(|| self.acd.poll_output()).find_map(|d| match d {
                Decision::Offer { call, agent, .. } => Some((call, agent)),
                _ => None,
            });
            self.settle();
            if let Some(offered) = offered {
                break offered;
            }
            self.enqueue_anywhere();
        };
        let elapsed = self.timed(Command::NoAnswer { call, agent });
        self.enqueue_anywhere();
        elapsed
    }

    fn login(&mut self) -> Duration {
        let pick = self.rng.below(self.not_ready.len());
        let index = self.not_ready.swap_remove(pick);
        self.run(Command::Logout {
            agent: agent_id(index),
        });
        let elapsed = self.timed(Command::Login {
            agent: agent_id(index),
            queues: self.skills[index].clone(),
        });
        // Keep the NotReady pool and the waiting calls at their size.
        let replacement = self.end_a_call();
        self.set_not_ready(replacement);
        self.enqueue_anywhere();
        elapsed
    }

    fn waiting(&self) -> usize {
        self.acd
            .queues()
            .filter_map(|(queue, _)| self.acd.queue_stats(queue, self.now_ms))
            .map(|stats| stats.waiting)
            .sum()
    }
}

fn agent_index(agent: &AgentId) -> usize {
    agent.as_str()[1..].parse().unwrap_or(0)
}

type Operation = fn(&mut Population) -> Duration;

const OPERATIONS: [(&str, Operation); 4] = [
    ("agent_ready", Population::agent_ready),
    ("enqueue", Population::enqueue_op),
    ("no_answer", Population::no_answer),
    ("login", Population::login),
];

fn percentiles(population: &mut Population) {
    println!(
        "population: {AGENTS} agents, {QUEUES} queues, {} calls waiting",
        population.waiting()
    );
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>14}  ({SAMPLES} single operations each)",
        "operation", "p50 µs", "p99 µs", "max µs", "made an offer"
    );
    for (name, operation) in OPERATIONS {
        population.offers_made = 0;
        let mut samples: Vec<Duration> = (0..SAMPLES).map(|_| operation(population)).collect();
        samples.sort_unstable();
        let at = |fraction: f64| {
            let index = ((samples.len() as f64 * fraction) as usize).min(samples.len() - 1);
            samples[index].as_secs_f64() * 1e6
        };
        println!(
            "{name:<12} {:>10.1} {:>10.1} {:>10.1} {:>13.0}%",
            at(0.50),
            at(0.99),
            at(1.0),
            100.0 * population.offers_made as f64 / SAMPLES as f64
        );
    }
    let ready = population
        .acd
        .agents()
        .filter(|(_, agent)| agent.state == AgentState::Ready)
        .count();
    println!(
        "afterwards {} calls waiting, {ready} agents Ready",
        population.waiting()
    );
}

fn main() {
    let started = Instant::now();
    let mut population = Population::build();
    println!("built in {:.1} s", started.elapsed().as_secs_f64());
    percentiles(&mut population);

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args();
    let mut group = criterion.benchmark_group("acd_decision");
    for (name, operation) in OPERATIONS {
        group.bench_function(name, |bencher| {
            bencher
                .iter_custom(|iterations| (0..iterations).map(|_| operation(&mut population)).sum())
        });
    }
    group.finish();
    criterion.final_summary();
}
