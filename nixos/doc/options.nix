# The option reference of docs/nixos.md, as Markdown, from the declarations in nixos/options.nix.
#   nix-instantiate --eval --strict --json nixos/doc/options.nix --arg lib 'import <nixpkgs/lib>'
# (nixos/doc/render.sh does that and puts the result between the markers in docs/nixos.md).
{ lib }:
let
  inherit (lib) concatMapStrings filter hasPrefix types;

  # Nothing is built or evaluated for the reference: every default that needs pkgs has a defaultText.
  pkgs = { };
  networkType = types.attrsOf types.anything // {
    description = "attribute set in `systemd.network.networks.<name>` form";
  };
  eval = lib.evalModules {
    modules = [ (import ../options.nix { inherit lib pkgs networkType; }) ];
  };
  docs = filter (o: o.visible && !o.internal && hasPrefix "nixos-nspawn." o.name) (lib.optionAttrSetToDocList eval.options);

  literal =
    v:
    if v ? _type && v._type == "literalExpression" then v.text
    else if v ? _type && v._type == "literalMD" then v.text
    else lib.generators.toPretty { } v;
  block = text: if lib.hasInfix "\n" text then "\n\n```nix\n${lib.removeSuffix "\n" text}\n```\n" else " `${text}`\n";
  option = o: ''

    ### `${o.name}`

    ${lib.removeSuffix "\n" o.description}

    *Type:* ${o.type}
  '' + lib.optionalString (o ? default) "\n*Default:*${block (literal o.default)}"
     + lib.optionalString (o ? example) "\n*Example:*${block (literal o.example)}";
in
concatMapStrings option docs
