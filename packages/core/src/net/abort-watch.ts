/**
 * Abort listeners for thousands of concurrent operations on one signal.
 * Node's EventTarget walks its listener list on every add and remove, so a
 * listener per dial costs O(in-flight) each: at concurrency 512 that was an
 * eighth of a scan's CPU. Here each signal gets one listener, and operations
 * join and leave a Set in O(1).
 */

/** Something to stop when the signal fires. */
export interface Abortable {
  onAbort(): void;
}

const watchers = new WeakMap<AbortSignal, Set<Abortable>>();

/** Calls `operation.onAbort()` when `signal` fires, until {@link unwatchAbort}. The signal must not have fired yet. */
export function watchAbort(signal: AbortSignal, operation: Abortable): void {
  let operations = watchers.get(signal);
  if (operations === undefined) {
    const set = new Set<Abortable>();
    operations = set;
    watchers.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        // Each operation leaves the set as it stops; deleting during iteration is safe for a Set.
        for (const operation of set) operation.onAbort();
        set.clear();
      },
      { once: true },
    );
  }
  operations.add(operation);
}

/** Stops watching: `operation` has finished and must not be aborted any more. */
export function unwatchAbort(signal: AbortSignal, operation: Abortable): void {
  watchers.get(signal)?.delete(operation);
}
