// isolated-vm 7.0.1, the release for Node.js 24 (README "Supported Node.js lines").
module.exports = require('isolated-vm');
