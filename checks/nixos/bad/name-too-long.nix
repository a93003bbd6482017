# expect: invalid container name 'a-container-name-that-is-far-too-long-for-a-hostname-and-its-links-x' (68 characters): the launcher takes a hostname of at most 64 characters
{ nixos-nspawn.containers.a-container-name-that-is-far-too-long-for-a-hostname-and-its-links-x.config = { }; }
