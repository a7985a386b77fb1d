// isolated-vm 6.2.0, the release for Node.js 22 (README "Supported Node.js lines").
module.exports = require('isolated-vm');
