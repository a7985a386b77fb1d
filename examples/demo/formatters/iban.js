// A formatter: groups an IBAN in blocks of four as the user types.
function formatText(input) {
  var before = input.textToFormat.slice(0, input.cursorPosition || 0).replace(/\s/g, '').length;
  var compact = input.textToFormat.replace(/\s/g, '').toUpperCase();
  var formatted = compact.replace(/(.{4})(?=.)/g, '$1 ');
  return { formattedText: formatted, cursorPosition: before + Math.floor(Math.max(before - 1, 0) / 4) };
}
