// The CTI event stream (GET /api/v1/events over WebSocket) for a page: connects with the session cookie,
// reconnects with ?since=<last seq> after a drop (backing off up to 10 s) so nothing is missed, and tells the
// page to reload its state over REST when the server could not replay what was missed ("resync") or the page
// fell behind ("lagged"). `status` is 'connecting' | 'open' | 'closed' for a connection indicator.
import { ref, onBeforeUnmount } from 'vue';

const MAX_BACKOFF_MS = 10_000;

/**
 * useCtiEvents({ onEvent(event), onResync(), query: { types, agent } }) -> { status, lastSeq, stop }.
 * Call from a component's setup(); the socket closes when the component unmounts.
 */
export function useCtiEvents({ onEvent, onResync, query = {} }) {
  const status = ref('connecting');
  const lastSeq = ref(0);
  let socket = null;
  let backoff = 500;
  let timer = null;
  let stopped = false;

  function url() {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    if (lastSeq.value) params.set('since', String(lastSeq.value));
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = params.toString();
    return `${scheme}//${location.host}/api/v1/events${q ? `?${q}` : ''}`;
  }

  function connect() {
    if (stopped) return;
    status.value = 'connecting';
    socket = new WebSocket(url());
    socket.onopen = () => {
      status.value = 'open';
      backoff = 500;
    };
    socket.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type === 'hello') {
        // A first connection starts from now: the page loads its state over REST.
        if (!lastSeq.value) lastSeq.value = event.seq;
        return;
      }
      if (event.type === 'resync' || event.type === 'lagged') {
        if (onResync) onResync(event);
        return;
      }
      if (typeof event.seq === 'number') lastSeq.value = event.seq;
      onEvent(event);
    };
    socket.onclose = () => {
      socket = null;
      if (stopped) return;
      status.value = 'closed';
      timer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close();
    socket = null;
  }

  connect();
  onBeforeUnmount(stop);
  return { status, lastSeq, stop };
}

/** Milliseconds -> "mm:ss" (or "h:mm:ss"). */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${m}:${sec}` : `${m}:${sec}`;
}
