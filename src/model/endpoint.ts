/** Where one replica of a service answers (published for discovery at /bosun/<project>/endpoints/). */
export interface Endpoint {
  service: string;
  replica: number;
  host: string;
  port: number;
  /** container name */
  container: string;
  /** the workload's id (a container id): what a drain marker names, unlike a name it is never reused */
  id?: string;
  /** the bosun release that created the container */
  release?: number;
}
