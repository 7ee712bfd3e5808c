// A reference to one endpoint of one resource: `api.getEndpoint('http')`. Used by withReference
// (inject the service variables of that endpoint only) and withEnvironment (valueFrom.endpoint).
import type { EndpointProperty } from '../api/types.ts';

export class EndpointReference<N extends string = string> {
  readonly resource: string;
  readonly endpoint: N;
  readonly prop: EndpointProperty;
  /** @internal identity of the builder that made it */
  readonly owner: object;

  constructor(owner: object, resource: string, endpoint: N, prop: EndpointProperty = 'url') {
    this.owner = owner;
    this.resource = resource;
    this.endpoint = endpoint;
    this.prop = prop;
  }

  /** The same endpoint, another property: url (default), host, port, targetPort, scheme, hostAndPort. */
  property(prop: EndpointProperty): EndpointReference<N> {
    return new EndpointReference(this.owner, this.resource, this.endpoint, prop);
  }

  toString(): string {
    return `${this.resource}/${this.endpoint}`;
  }
}
