/**
 * Mutations the operator runs from the TUI. Each answers with its payload or a typed error; what came of
 * it is said in one line, in the server's words.
 */
import { useClient } from 'urql';

export interface Outcome {
  ok: boolean;
  message: string;
}

/** `mutation { <field>(input: $input) { … } }` with the union's typed errors selected. */
export function commandDocument(field: string, inputType: string, payloadSelection: string): string {
  return `mutation($input: ${inputType}!) { ${field}(input: $input) {
    __typename
    ... on Error { message }
    ${payloadSelection}
  } }`;
}

type Answer = { __typename: string; message?: string } & Record<string, unknown>;

/** A function that runs the command and resolves with its outcome; `describe` puts the payload in words. */
export function useCommand(document: string, field: string) {
  const client = useClient();
  return async function run(
    input: Record<string, unknown>,
    describe: (payload: Answer) => string,
  ): Promise<Outcome> {
    const result = await client.mutation<Record<string, Answer>>(document, { input }).toPromise();
    const answer = result.data?.[field];
    const said: Outcome = result.error
      ? { ok: false, message: result.error.message }
      : !answer
        ? { ok: false, message: 'the server gave no answer' }
        : answer.__typename.endsWith('Payload')
          ? { ok: true, message: describe(answer) }
          : { ok: false, message: `${answer.__typename}: ${answer.message ?? ''}` };
    return said;
  };
}
