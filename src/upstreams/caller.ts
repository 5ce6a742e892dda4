/** Who is asking, for one GraphQL request: forwarded to every upstream call and never stored beyond it. */
export interface Caller {
  token: string | null;
  requestId: string;
  /** Epoch ms by which the GraphQL request must be answered; upstream calls are cut to fit. */
  deadline?: number;
}
