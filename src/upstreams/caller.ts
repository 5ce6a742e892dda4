/** Who is asking, for one GraphQL request: forwarded to every upstream call and never stored beyond it. */
export interface Caller {
  token: string | null;
  requestId: string;
  /** Epoch ms by which the GraphQL request must be answered; upstream calls are cut to fit. */
  deadline?: number;
  /**
   * Identical GETs of this request in flight at the same moment share one upstream call (two loaders can want
   * the same listing at once). Lives and dies with the request.
   */
  gets?: Map<string, Promise<unknown>>;
  /** Aborts at the deadline: one timer per GraphQL request, shared by all of its upstream calls. */
  signal?: AbortSignal;
}
