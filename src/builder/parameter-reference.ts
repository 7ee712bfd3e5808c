// builder.addParameter(name, { secret }): a value configured outside the manifests
// (Parameters__<name> in the environment, .apphost/secrets.json, or generated and kept there).
// Pass it to withEnvironment, or as an integration's password.
import type { ParameterSpec } from '../api/types.ts';

export class ParameterReference {
  readonly name: string;
  /** @internal the declaration that travels with every resource using it */
  readonly spec: ParameterSpec;
  /** @internal identity of the builder that made it */
  readonly owner: object;

  constructor(owner: object, spec: ParameterSpec) {
    this.owner = owner;
    this.name = spec.name;
    this.spec = spec;
  }

  get secret(): boolean {
    return this.spec.secret === true;
  }

  toString(): string {
    return `{${this.name}}`;
  }
}

/** One database of a database server resource: pass it to withReference (ConnectionStrings__<name>). */
export class DatabaseReference {
  readonly resource: string;
  readonly name: string;
  /** @internal */
  readonly owner: object;

  constructor(owner: object, resource: string, name: string) {
    this.owner = owner;
    this.resource = resource;
    this.name = name;
  }

  toString(): string {
    return `${this.resource}/${this.name}`;
  }
}
