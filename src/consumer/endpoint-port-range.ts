/**
 * A range of TCP ports a service listens on, such as MongoDB Atlas's 1024–65535.
 */
export interface EndpointPortRange {
  /** The first port of the range, an integer from 1 to 65535. */
  readonly fromPort: number;
  /** The last port of the range, an integer from `fromPort` to 65535. */
  readonly toPort: number;
}
