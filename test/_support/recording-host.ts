import type { Answer, Host, Question, RunEvent } from '../../src/events.ts';

/** A host that records every event and answers questions with their defaults (or a scripted answer). */
export function recordingHost(
  answer?: (q: Question) => Answer | undefined,
): Host & { events: RunEvent[]; questions: Question[] } {
  const events: RunEvent[] = [];
  const questions: Question[] = [];
  return {
    events,
    questions,
    emit: (event) => {
      events.push(event);
    },
    ask: async (question) => {
      questions.push(question);
      const scripted = answer?.(question);
      if (scripted !== undefined) return scripted;
      return question.kind === 'demo-menu'
        ? { kind: 'demo-menu', choice: 'next' }
        : { kind: question.kind, yes: question.defaultAnswer };
    },
  };
}
