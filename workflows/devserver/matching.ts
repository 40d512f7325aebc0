// Task queues with long polling. A queue holds task references; a poller waits until one arrives or its
// deadline passes (then it gets `undefined`, which the service turns into an empty response: never an
// error). The engine validates a reference when a poller takes it, so stale ones are simply dropped.

interface Waiter<T> {
  resolve(task: T | undefined): void;
  done: boolean;
}

class Queue<T> {
  tasks: T[] = [];
  head = 0;
  waiters: Waiter<T>[] = [];

  shift(): T | undefined {
    if (this.head >= this.tasks.length) return undefined;
    const t = this.tasks[this.head];
    this.tasks[this.head] = undefined as unknown as T; // release for GC
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.tasks.length) {
      this.tasks = this.tasks.slice(this.head);
      this.head = 0;
    }
    return t;
  }

  get size(): number {
    return this.tasks.length - this.head;
  }
}

export class Matching<T> {
  private queues = new Map<string, Queue<T>>();

  private queue(key: string): Queue<T> {
    let q = this.queues.get(key);
    if (!q) {
      q = new Queue<T>();
      this.queues.set(key, q);
    }
    return q;
  }

  add(key: string, task: T): void {
    const q = this.queue(key);
    while (q.waiters.length > 0) {
      const w = q.waiters.shift();
      if (w && !w.done) {
        w.done = true;
        w.resolve(task);
        return;
      }
    }
    q.tasks.push(task);
  }

  /** Next task of the queue, waiting until `deadlineMs` at most; `abort` ends the wait early. */
  take(key: string, deadlineMs: number, abort?: { onAbort(fn: () => void): void }): Promise<T | undefined> {
    const q = this.queue(key);
    const ready = q.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    const wait = deadlineMs - Date.now();
    if (wait <= 0) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      const waiter: Waiter<T> = {
        done: false,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      const timer = setTimeout(() => {
        if (waiter.done) return;
        waiter.done = true;
        resolve(undefined);
      }, wait);
      abort?.onAbort(() => {
        if (waiter.done) return;
        waiter.done = true;
        clearTimeout(timer);
        resolve(undefined);
      });
      q.waiters.push(waiter);
    });
  }

  /** Wake every poller of the queues whose key starts with `prefix` with "no task" (shutdown). */
  release(prefix: string): void {
    for (const [key, q] of this.queues) {
      if (!key.startsWith(prefix)) continue;
      for (const w of q.waiters.splice(0)) {
        if (w.done) continue;
        w.done = true;
        w.resolve(undefined);
      }
    }
  }

  backlog(key: string): number {
    return this.queues.get(key)?.size ?? 0;
  }
}
