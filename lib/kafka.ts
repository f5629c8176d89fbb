/** Small helpers around @confluentinc/kafka-javascript clients, shared by every module that makes one. */

/** Anything with the client's callback-style disconnect(cb). */
export interface Disconnectable {
  disconnect(cb?: (err: unknown, data: unknown) => unknown): unknown;
}

/**
 * Disconnects and resolves when the client says it is done, or after timeoutMs at the latest:
 * a client stuck on a dead broker must not keep the caller (or the process) waiting for ever.
 */
export function disconnectWithin(client: Disconnectable, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.disconnect(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
