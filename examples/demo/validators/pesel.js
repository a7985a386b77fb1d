// A validationScript: checks a Polish PESEL number (length, digits, checksum).
function callService(context) {
  var pesel = context.getFirstParameter('pesel', '');
  if (!/^\d{11}$/.test(pesel)) {
    return [{ key: 'pesel.format', parameters: [pesel.length] }];
  }
  var weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  var sum = 0;
  for (var i = 0; i < 10; i++) sum += weights[i] * Number(pesel[i]);
  if ((10 - (sum % 10)) % 10 !== Number(pesel[10])) {
    return [{ key: 'pesel.checksum' }];
  }
  return [];
}
