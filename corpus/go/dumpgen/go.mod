module stacktab/dumpgen

go 1.19
