/**
 * Mutations the operator runs from the TUI. Each answers with its payload or a typed error; what came of
 * it is said in one line, in the server's words.
 */
import type { AnyVariables } from '@urql/core';
import { useClient } from 'urql';
import { graphql, type TadaDocumentNode } from './graphql.ts';

export interface Outcome {
  ok: boolean;
  message: string;
}

/** What a command came to: with its payload when it was done. */
export type CommandOutcome<Payload> =
  | { ok: true; message: string; payload: Payload }
  | { ok: false; message: string };

/** The typed errors every command's answer selects beside its payload: `__typename ...CommandError`. */
export const COMMAND_ERROR = graphql(`fragment CommandError on Error { message }`);

/** The payload among the members of a command's answer (its errors are the others). */
type PayloadOf<Answer> = Extract<Answer, { __typename: `${string}Payload` }>;

function isPayload<Answer extends { __typename: string }>(answer: Answer): answer is PayloadOf<Answer> {
  return answer.__typename.endsWith('Payload');
}

/**
 * A function that runs the command and resolves with its outcome: `document` is the mutation, `answerOf`
 * picks its answer from the data (`(data) => data.retryMeetingMigration`), and the function's `describe`
 * puts the payload in words.
 */
export function useCommand<Result, Variables extends AnyVariables, Answer extends { __typename: string }>(
  document: TadaDocumentNode<Result, Variables>,
  answerOf: (data: Result) => Answer,
) {
  const client = useClient();
  return async function run(
    variables: Variables,
    describe: (payload: PayloadOf<Answer>) => string,
  ): Promise<CommandOutcome<PayloadOf<Answer>>> {
    const result = await client.mutation(document, variables).toPromise();
    const answer = result.data ? answerOf(result.data) : undefined;
    if (result.error) return { ok: false, message: result.error.message };
    if (!answer) return { ok: false, message: 'the server gave no answer' };
    if (isPayload(answer)) return { ok: true, message: describe(answer), payload: answer };
    return { ok: false, message: `${answer.__typename}: ${'message' in answer ? answer.message : ''}` };
  };
}
