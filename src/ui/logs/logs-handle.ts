// The Logs view's part in the commands: what pause, filter, source, scrolling and the source
// picker do to the pane and the view's scroll state. The handlers (commands/handlers.ts) call it
// while the Logs view shows; the view builds it from its current state on each render.
import type { ActionController } from '../../app/console/action-controller.js';
import { sourceKey, type LogPane } from '../../app/console/log-pane.js';
import type { LogSourceConfig } from '../../config/schema.js';
import type { LogsHandle } from '../commands/view-targets.js';

export interface LogsScroll {
  offset: number;
  picker: number | null;
}

const FAR = 1e9;

/** The Logs view's handle over `pane`, with `get`/`set` of its scroll state. */
export function logsHandle(
  ctl: ActionController | null,
  pane: LogPane,
  get: () => LogsScroll,
  set: (s: LogsScroll) => void,
  ctx: { page: number; choices: LogSourceConfig[]; current: LogSourceConfig | null },
): LogsHandle {
  const back = (by: number) => {
    const s = get();
    pane.tail()?.pause();
    set({ ...s, offset: Math.max(0, Math.min(FAR, s.offset + by)) });
  };
  const follow = () => {
    pane.tail()?.resume();
    set({ ...get(), offset: 0 });
    pane.bump();
  };
  return {
    pause: () => {
      const tail = pane.tail();
      if (tail?.paused) tail.resume();
      else tail?.pause();
      set({ ...get(), offset: 0 });
      pane.bump();
    },
    window: () => {
      pane.tail()?.cycleAccessWindow();
      pane.bump();
    },
    filter: () =>
      ctl?.prompts.open({
        id: 'logs.filter',
        title: 'Filter log lines',
        label: '/',
        initial: pane.filter(),
        note: 'a substring, or /regex/flags; lowercase ignores case; empty shows every line',
        accept: (text) => pane.setFilter(text),
      }),
    source: () => {
      const s = get();
      if (s.picker !== null) return set({ ...s, picker: null });
      const at = ctx.current ? ctx.choices.findIndex((c) => sourceKey(c) === sourceKey(ctx.current!)) : 0;
      set({ ...s, picker: Math.max(0, at) });
    },
    history: () => {
      if (pane.closeHistory()) return;
      if (ctx.current) pane.searchHistory(ctx.current);
    },
    move: (by, page) => {
      const s = get();
      if (s.picker === null) return back(-by * (page ? ctx.page : 1));
      const n = ctx.choices.length;
      if (!page) set({ ...s, picker: n === 0 ? 0 : (s.picker + by + n) % n });
    },
    top: () => (get().picker === null ? back(FAR) : undefined),
    bottom: () => (get().picker === null ? follow() : undefined),
    choose: () => {
      const s = get();
      if (s.picker === null) return false;
      const chosen = ctx.choices[s.picker];
      if (chosen && ctl) ctl.store.getState().set({ logSource: chosen });
      set({ offset: 0, picker: null });
      return true;
    },
    closePicker: () => {
      const s = get();
      if (s.picker === null) return pane.closeHistory();
      set({ ...s, picker: null });
      return true;
    },
  };
}
