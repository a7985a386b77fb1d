// A scriptTask that calls a REST service with OAuth2: opens a case at the
// partner (service `partnerCases`; the runtime fetches and caches the token).
// A case that already exists is a BPMN error the process can model.
function callService(context, task) {
  var customerId = context.getVariable('customerId');
  if (!customerId) {
    context.handleBpmnError('NO_CUSTOMER', 'customerId is required');
    return;
  }
  try {
    var r = api.rest.v1.post('partnerCases', { path: 'cases' }, { customerId: String(customerId), amount: context.getVariable('amount') });
    context.complete({ caseId: String(r.body.id), caseStatus: r.body.status });
  } catch (e) {
    if (e.status && e.status.code === 409) context.handleBpmnError('CASE_EXISTS', 'an open case exists for customer ' + customerId);
    else throw e;
  }
}
