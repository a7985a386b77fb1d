// isolated-vm 5.0.4, the release for Node.js 20 (README "Supported Node.js lines").
module.exports = require('isolated-vm');
