#!/bin/sh
# apt-get stand-in for seed 003's scripts in busybox containers: it logs
# each call to /var/log/apt-get.log; "install apache2" does what Debian's
# apache2 package does for the seed: a page, served from the next boot on
# (busybox httpd, started by rcS once udhcpc has a lease).
echo "apt-get $*" >> /var/log/apt-get.log
if [ "$1" = install ]; then
	for pkg; do
		if [ "$pkg" = apache2 ]; then
			mkdir -p /var/www
			echo "It works! $(hostname)" > /var/www/index.html
			echo "/bin/busybox httpd -h /var/www" >> /etc/init.d/rcS
		fi
	done
fi
