# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Option '--machine' given twice (again as 'other')
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "-nMother" ]; }; }
