import { Socket } from 'node:net';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** The worker's end of its one ordered channel to the manager, whatever carries it. */
export interface ManagerConnection {
  onData(listener: (chunk: Uint8Array) => void): void;
  /**
   * Takes a chunk that has arrived but not yet been delivered to `onData`, without waiting for the event loop
   * (where the carrier allows it: about 50 ns when there is none). The chunks it returns skip `onData`.
   */
  readonly poll?: () => Uint8Array | undefined;
  /** Sends one buffer of whole frames; the buffer is the connection's from then on. */
  send(bytes: Uint8Array): void;
  /** Closes after everything sent so far is written; then calls `done`. */
  close(done?: () => void): void;
}

/** A worker thread: the MessagePort the manager transferred with the long-lived piscina task. */
export function portConnection(port: MessagePort): ManagerConnection {
  return {
    onData: (listener) => port.on('message', listener),
    poll: () => receiveMessageOnPort(port)?.message as Uint8Array | undefined,
    send: (bytes) => port.postMessage(bytes, [bytes.buffer as ArrayBuffer]),
    close: (done) => {
      port.close();
      done?.();
    },
  };
}

/** A child process: the socket pair on file descriptor `fd`. `onClosed` runs when the manager's end goes away. */
export function streamConnection(fd: number, onClosed: () => void): ManagerConnection {
  const socket = new Socket({ fd, readable: true, writable: true });
  socket.on('close', onClosed);
  socket.on('error', () => {}); // followed by 'close'
  return {
    onData: (listener) => socket.on('data', listener),
    send: (bytes) => socket.write(bytes),
    close: (done) => {
      socket.end(done);
    },
  };
}
