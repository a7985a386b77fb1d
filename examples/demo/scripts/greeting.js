// A scriptService: input parameters in, rows out.
function callService(context) {
  var name = context.getFirstParameter('name', 'world');
  Logger.info('greeting {} (length {})', name, nonsensitive(name.length));
  return [{ greeting: 'Hello, ' + name + '!', letters: name.length }];
}
