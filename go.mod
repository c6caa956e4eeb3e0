module github.com/instorepay/instore

go 1.25
