# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --system-call-filter 'kexec_loader': 'kexec_loader' is neither a system call nor a @group
{ nixos-nspawn.containers.web = { config = { }; systemCallFilter = [ "kexec_loader" ]; }; }
