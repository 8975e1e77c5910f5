/**
 * A business exception thrown by a task: reported as TASK_EXCEPTION with
 * LHTaskException{name, message, content}, which a workflow can catch by name with
 * handleException(). Any other thrown value is a technical failure (TASK_FAILED).
 * Use kebab-case names; UPPER_CASE names are reserved for LittleHorse errors.
 */
export class LHTaskException extends Error {
  override readonly name = 'LHTaskException';
  readonly exceptionName: string;
  readonly content: unknown;

  constructor(exceptionName: string, message: string, content?: unknown) {
    super(message);
    if (exceptionName.trim() === '') throw new Error('LHTaskException needs a non-empty name');
    this.exceptionName = exceptionName;
    this.content = content;
  }
}
