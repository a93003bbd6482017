# nixos-nspawn for nixpkgs: `pkgs.callPackage ./nixos/package.nix { }`. Builds the launcher (and the tools the
# Makefile installs), installs units and man page, and runs the unit tests (checks/unit, no root needed).
{ lib, stdenv, pkg-config, systemd, util-linux, libseccomp, nftables }:
stdenv.mkDerivation {
  pname = "nixos-nspawn";
  version = "0.1";

  src = lib.cleanSourceWith {
    src = ../.;
    # the package needs sources, units, docs and unit tests; not build outputs, caches or the NixOS face
    filter = path: type:
      let base = baseNameOf path; in
      !(builtins.elem base [ "build" "build-sanitize" "build-analyze" "result" ".git" ]);
  };

  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ systemd util-linux libseccomp nftables ];

  # --port loads libnftables with dlopen: by its store path, which no library path on NixOS would find
  makeFlags = [ "PREFIX=${placeholder "out"}" "NFTABLES_LIB=${nftables}/lib/libnftables.so.1" ];
  buildFlags = [ "all" ];

  doCheck = true;
  # Unit tests only: the integration and system tests need root and a systemd host.
  checkTarget = "check-unit";

  meta = {
    description = "Always-ephemeral NixOS containers from a suid-free launcher";
    platforms = lib.platforms.linux;
    mainProgram = "nixos-nspawn";
  };
}
