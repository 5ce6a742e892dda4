/** Who is asking, for one GraphQL request: forwarded to every upstream call and never stored beyond it. */
export interface Caller {
  token: string | null;
  requestId: string;
}
