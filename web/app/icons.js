// The Element Plus icons the console uses, exposed to templates as `$icons.Name`.
import {
  Avatar, Bell, Check, Close, Collection, CopyDocument, Delete, Document, Edit, Expand, Fold,
  HomeFilled, Key, Lock, Unlock, Message, OfficeBuilding, Phone, Plus, Refresh, RefreshLeft,
  Search, SwitchButton, User, ArrowDown, Warning, Connection, Tickets, Calendar, Iphone, Download, Upload,
  CircleClose, WarningFilled, MagicStick, Microphone, ChatLineRound, Headset, VideoPlay, PhoneFilled,
  Back, DataBoard,
} from '@element-plus/icons-vue';

export const icons = {
  Avatar, Bell, Check, Close, Collection, CopyDocument, Delete, Document, Edit, Expand, Fold,
  HomeFilled, Key, Lock, Unlock, Message, OfficeBuilding, Phone, Plus, Refresh, RefreshLeft,
  Search, SwitchButton, User, ArrowDown, Warning, Connection, Tickets, Calendar, Iphone, Download, Upload,
  CircleClose, WarningFilled, MagicStick, Microphone, ChatLineRound, Headset, VideoPlay, PhoneFilled,
  Back, DataBoard,
};
