module stacktab/tracegen2

go 1.22
