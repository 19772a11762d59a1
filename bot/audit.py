"""The actions of the audit trail (`/nhatky`) and how each reads in Vietnamese."""

from __future__ import annotations

ACTIONS = {
    "unit.create": "Tạo hồ sơ đơn vị",
    "unit.profile": "Sửa hồ sơ đơn vị",
    "unit.roster": "Sửa danh sách đảng viên",
    "invite.create": "Tạo mã mời",
    "invite.revoke": "Thu hồi mã mời",
    "member.join": "Tham gia đơn vị",
    "member.confirm": "Xác nhận đảng viên",
    "member.refuse": "Từ chối đề nghị",
    "member.role": "Đổi vai trò",
    "member.remove": "Xóa khỏi đơn vị",
    "unit.hand_over": "Chuyển quyền bí thư",
    "document.issue": "Ban hành văn bản",
    "document.revise": "Sửa văn bản",
    "document.delete": "Xóa văn bản",
}


def label(action: str) -> str:
    return ACTIONS.get(action, action)
