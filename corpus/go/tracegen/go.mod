module stacktab/tracegen

go 1.19
