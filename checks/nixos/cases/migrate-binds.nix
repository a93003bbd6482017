# From nixpkgs' containers.<name>.bindMounts / tmpfs, plus credentials and unit settings.
{
  nixos-nspawn.containers.db = {
    config = { services.postgresql.enable = true; };
    binds."/var/lib/postgresql".hostPath = "/srv/db";
    binds."/etc/ssl/certs/ca.pem" = { hostPath = "/etc/ssl/certs/ca.pem"; readOnly = true; };
    binds."/srv/shared" = { idmap = false; };
    tmpfs = [ "/var/cache" "/scratch:0700" ];
    credentials.db-password.file = "/run/secrets/db";
    credentials.ca-url.text = "https://ca.example.internal";
    serviceConfig.MemoryMax = "2G";
    timeoutStartSec = "10min";
    restart = "always";
    linkJournal = "no";
    autoStart = false;
  };
}
