# expect: invalid container name 'a-container-name-that-is-far-too-long-for-a-hostname-and-its-links-x' (68 characters): use letters
{ nixos-nspawn.containers.a-container-name-that-is-far-too-long-for-a-hostname-and-its-links-x.config = { }; }
