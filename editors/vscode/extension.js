// Starts `graphdsl lsp` for graphdsl documents (diagnostics, hover, completion, rename, formatting...).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("graphdsl").get("command");
  client = new LanguageClient(
    "graphdsl",
    "graphdsl",
    { command, args },
    { documentSelector: [{ language: "graphdsl" }] }
  );
  client.start();
  context.subscriptions.push(client);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
