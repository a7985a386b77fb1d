// A scriptTask: decides the outcome of a BPMN service task.
function callService(context, task) {
  var amount = Number(context.getVariable('amount'));
  if (!(amount > 0)) {
    context.handleBpmnError('INVALID_AMOUNT', 'amount must be positive, got ' + amount);
    return;
  }
  context.complete({ caseId: 'CASE-' + task.getProcessInstanceId(), priority: amount > 10000 ? 'high' : 'normal' });
}
