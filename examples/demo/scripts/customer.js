// A scriptService that calls a REST service: looks a customer up by PESEL in
// the partner's registry (service `partner`, API key added by the runtime —
// the script never sees it). The PESEL is logged masked.
function callService(context) {
  var pesel = context.getFirstParameter('pesel');
  if (!pesel) return [];
  try {
    var r = api.rest.v1.get('partner', { path: 'customers', queryParams: { pesel: pesel } });
    Logger.info('customer {} found, segment {}', pesel, nonsensitive(r.body.segment));
    return [{ customerId: r.body.id, name: r.body.name, segment: r.body.segment }];
  } catch (e) {
    if (e.status && e.status.code === 404) return [];
    throw e;
  }
}
