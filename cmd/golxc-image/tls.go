package main

import (
	"crypto/tls"
	"errors"
	"net"

	"github.com/golxc/golxc/internal/image"
)

func tlsCert(cert, key, selfCA, addr string) (*tls.Certificate, error) {
	if selfCA != "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if host == "" {
			host = "127.0.0.1"
		}
		return image.SelfSignedTLS(selfCA, []string{host, "localhost"})
	}
	if cert == "" || key == "" {
		return nil, errors.New("--https needs --cert and --tls-key, or --self-signed-ca FILE")
	}
	c, err := tls.LoadX509KeyPair(cert, key)
	return &c, err
}
