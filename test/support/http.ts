/** GraphQL over plain HTTP to a server in another process, as any client sends it. */
export interface HttpResult {
  status: number;
  data?: Record<string, any>;
  errors?: unknown[];
}

/** Posts an operation with the bearer token; returns the status and the parsed body. */
export async function postGraphQL(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<HttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<HttpResult, 'status'>;
  return { status: response.status, ...body };
}

/** Like postGraphQL, but throws on any error and returns data. */
export async function queryGraphQL(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const result = await postGraphQL(url, token, query, variables);
  if (result.errors || !result.data) throw new Error(JSON.stringify(result));
  return result.data;
}
