import { EXIT } from '../errors.js';
import type { Console } from '../ports.js';

/** The graceful-stop signal a command hands its flow, while the handlers are installed. */
export interface InterruptHandling {
  /** Aborted at the first SIGINT/SIGTERM; its `reason` is the signal's name. */
  signal: AbortSignal;
  /** Removes the handlers (the process's default behaviour is back). */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Ctrl-C during a command that writes to FreshBooks (apply): killed outright, it would leave
 * a write it cannot report. So the first SIGINT or SIGTERM only asks the flow to stop — no new
 * operation starts, those in flight finish and are journaled — and says so at once on stderr;
 * the flow's report then says how far it got. A second signal exits at once (130, or 143 for
 * SIGTERM), as someone pressing Ctrl-C twice means: the journal still makes a re-run safe.
 */
export function handleInterrupts(io: Console): InterruptHandling {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort(signal);
      io.stderr.write(
        `\nrolecall: ${signal} received — letting the operations in flight finish, starting no new ones (Ctrl-C again to stop at once)\n`,
      );
      return;
    }
    io.stderr.write(
      `rolecall: stopped at once (${signal}); the journal keeps what was done — run the same command again to resume\n`,
    );
    process.exit(signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED);
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
