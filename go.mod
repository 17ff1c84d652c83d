module cc112

go 1.26

require (
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/paulmach/orb v0.14.0 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	go.mongodb.org/mongo-driver/v2 v2.5.0 // indirect
	golang.org/x/crypto v0.46.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
