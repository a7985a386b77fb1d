// The host-side HTTP layer (SPEC §4.4): one client per service, every
// connection checked against the network policy, one error type with stable codes.
export {
  HttpCallError,
  HTTP_ERROR_KINDS,
  httpCallError,
  safeUrl,
  toHttpCallError,
  type HttpErrorCode,
  type HttpErrorContext,
  type HttpErrorKind,
} from './errors.js';
export { isAddressAllowed, parseAllowCidrs, type AddressVerdict, type NetworkPolicy } from './network-policy.js';
export { createConnector, createSecureContext, type Connector, type ConnectorOptions, type LookupAll } from './connector.js';
export { ServiceClient, type HttpRequest, type HttpResponse } from './service-client.js';
export { NetworkTransport, type Transport } from './transport.js';
export { createProxyRouter, parseProxyUrl, parseNoProxy, matchesNoProxy } from './proxy.js';
