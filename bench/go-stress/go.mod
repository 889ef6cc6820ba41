module stacktab/gostress

go 1.19
