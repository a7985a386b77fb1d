// What a turn of isolate code hands the host when it ends (outbox.ts posts
// them; src/sandbox/script-run.ts reads them). Shared by the isolate code and
// the host: types only, nothing that runs.

/** an async call started: the host performs it and answers through the driver's settle() */
export type StartMessage = [kind: 'start', seq: number, id: number, path: string, method: string, argsJson: string];
/** an invocation finished: its answer, JSON text (driver.ts) */
export type DoneMessage = [kind: 'done', seq: number, answer: string];
export type TurnMessage = StartMessage | DoneMessage;
/** what a turn returns: an answer's JSON text (a first turn that finished having started nothing), or its messages */
export type TurnAnswer = string | TurnMessage[];
