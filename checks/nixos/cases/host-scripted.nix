# A host with NixOS's scripted networking (dhcpcd) and a default gateway without an interface, plus a container.
# nixos-eval loads neither network-interfaces.nix's `networking.defaultGateway`, nor dhcpcd.nix, nor
# network-interfaces-systemd.nix: they stand in here as nixpkgs declares and defines them:
#   network-interfaces.nix: networking.defaultGateway, null or a gateway (a string is coerced to { address; });
#   network-interfaces-systemd.nix (only with networking.useNetworkd): the assertion
#     "networking.defaultGateway.interface is not optional when using networkd.";
#   dhcpcd.nix: networking.dhcpcd.denyInterfaces (list of str, default [ ]).
{ config, lib, ... }:
let
  inherit (lib) mkIf mkOption types;
  gateway = types.submodule {
    options.address = mkOption { type = types.str; };
    options.interface = mkOption { type = types.nullOr types.str; default = null; };
  };
  cfg = config.networking;
in
{
  options.networking.defaultGateway = mkOption {
    type = types.nullOr (types.coercedTo types.str (address: { inherit address; }) gateway);
    default = null;
  };
  options.networking.dhcpcd.denyInterfaces = mkOption { type = types.listOf types.str; default = [ ]; };
  config = {
    assertions = mkIf cfg.useNetworkd [ {
      assertion = cfg.defaultGateway != null -> cfg.defaultGateway.interface != null;
      message = "networking.defaultGateway.interface is not optional when using networkd.";
    } ];
    networking.defaultGateway = "10.0.0.1";
    nixos-nspawn.containers.web.config = { };
  };
}
