# Stand-in for the parts of nixpkgs' nixos/modules/config/users-groups.nix that decide root's password, which
# nixos-eval does not load (its users.users is an untyped stub): the five password options of a user, as nixpkgs
# declares them (nullOr str, default null), users.mutableUsers and users.allowNoPasswordLogin, and, as nixpkgs
# defines them:
#   - with mutableUsers = false, `password = mkDefault initialPassword` and
#     `hashedPassword = mkDefault initialHashedPassword` (priority 1000, in the user submodule);
#   - the warning when more than one of them is set (hashedPassword, hashedPasswordFile, password, and with
#     mutableUsers also initialHashedPassword, initialPassword);
#   - the assertion that, with mutableUsers = false, root can log in unless allowNoPasswordLogin.
# The declarations merge with nixos-eval's freeform stub (both are attrsOf submodule).
{ config, lib, ... }:
let
  inherit (lib) mkDefault mkIf mkMerge mkOption types;
  cfg = config.users;
  passwordOption = mkOption { type = types.nullOr types.str; default = null; };
  passwordOptions = [ "hashedPassword" "hashedPasswordFile" "password" ]
    ++ lib.optionals cfg.mutableUsers [ "initialHashedPassword" "initialPassword" ];
  allowsLogin = hash: hash == "" || !(lib.elem hash [ null "!" "!!" "*" ]);
in
{
  options.users = {
    mutableUsers = mkOption { type = types.bool; default = true; };
    allowNoPasswordLogin = mkOption { type = types.bool; default = false; };
    users = mkOption {
      type = types.attrsOf (types.submodule ({ config, ... }: {
        options = {
          hashedPassword = passwordOption;
          password = passwordOption;
          hashedPasswordFile = passwordOption;
          initialHashedPassword = passwordOption;
          initialPassword = passwordOption;
        };
        config = mkMerge [
          (mkIf (!cfg.mutableUsers && config.initialPassword != null) { password = mkDefault config.initialPassword; })
          (mkIf (!cfg.mutableUsers && config.initialHashedPassword != null) { hashedPassword = mkDefault config.initialHashedPassword; })
        ];
      }));
    };
  };
  config = {
    warnings = lib.concatMap (name: let user = cfg.users.${name}; in
      lib.optional (lib.length (lib.filter (o: user.${o} != null) passwordOptions) > 1)
        "The user '${name}' has multiple of the options `initialHashedPassword`, `hashedPassword`, `initialPassword`, `password` & `hashedPasswordFile` set to a non-null value."
    ) (lib.attrNames cfg.users);
    assertions = [ {
      assertion = !cfg.mutableUsers -> !cfg.allowNoPasswordLogin -> (let r = cfg.users.root; in
        allowsLogin r.hashedPassword || r.password != null || r.hashedPasswordFile != null);
      message = "Neither the root account nor any wheel user has a password or SSH authorized key.";
    } ];
  };
}
