/** Expected failures of domain operations. The schema layer turns each into a typed error in the payload. */

export class DomainError extends Error {}

/** The object does not exist — or belongs to another tenant, which must look exactly the same. */
export class NotFoundError extends DomainError {
  readonly field: string;
  constructor(what: string, field: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
    this.field = field;
  }
}

export class InvalidValueError extends DomainError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidValueError';
    this.field = field;
  }
}

/** The input is well-formed but the operation is not allowed in the current state. */
export class NotAllowedError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'NotAllowedError';
  }
}
