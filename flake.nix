{
  description = "nixos-nspawn: always-ephemeral NixOS containers from a small suid-free launcher";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      overlays.default = final: _prev: { nixos-nspawn = final.callPackage ./nixos/package.nix { }; };

      packages = forAllSystems (pkgs: rec {
        nixos-nspawn = pkgs.callPackage ./nixos/package.nix { };
        default = nixos-nspawn;
      });

      nixosModules = {
        host = ./nixos/host.nix;
        container = ./nixos/container.nix;
        default = self.nixosModules.host;
      };

      # Containers for a project flake on a host without NixOS: per container its toplevel, closure and the
      # commands NAME-up, NAME-down and NAME-shell (see nixos/lib.nix).
      lib = import ./nixos/lib.nix { inherit lib; };

      checks = forAllSystems (
        pkgs:
        { package = self.packages.${pkgs.stdenv.hostPlatform.system}.default; }
        // import ./checks/nixos/vm-tests.nix { inherit pkgs self; }
      );
    };
}
