"""Industry service teams (一业一科技服务团): propose, edit, save and export them (staff)."""
